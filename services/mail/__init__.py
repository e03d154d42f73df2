"""Email to people outside Slack: a message built whole (`message`), queued in the transaction of the
change that causes it and leased, recorded and retried (`queue`); `bot.mail` hands it to the SMTP server."""
