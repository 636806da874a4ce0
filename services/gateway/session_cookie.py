"""The name of the dashboard's session cookie, which the login sets and the page frame reads."""

COOKIE = "datafactory_session"
