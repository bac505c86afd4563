"""The command line: parse, call the API, pick a reporter."""
