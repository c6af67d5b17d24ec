"""Development tools that do not ship with formcheck: browser-test helpers, sample measurement."""
