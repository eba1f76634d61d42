"""The command line: parse, call the domain and the store, print."""
