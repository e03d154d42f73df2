"""Block Kit's rules live with the sandbox's emulator (`bot.sandbox.block_kit`); tests import them from here too."""

from bot.sandbox.block_kit import Surface, violations

__all__ = ["Surface", "violations"]
