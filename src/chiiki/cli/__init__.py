"""The ``chiiki`` command line: a thin shell that parses, calls one core function and formats."""
