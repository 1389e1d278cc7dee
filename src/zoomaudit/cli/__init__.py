"""The Typer command line. One module per command group; each is thin: parse, call, print, exit."""
