"""Work sent to outside contractors: the job behind a private link (sending, revoking, the team's review),
and what the contractor does on their page (accept or decline, updates, photos and invoice, cost, done)."""
