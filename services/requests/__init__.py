"""Service requests: intake from Slack and the web portal (with its photos and spam guard), and the
approval step some categories need before a request becomes a work order."""
