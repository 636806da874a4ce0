"""Commands: requests become events on the log."""
