"""The application layer the shells share (issue #15 §8): who the user is and what they may see
(:mod:`~chiiki.services.access`), logging in, the analyses of the data sets in use, uploads, plan
queries and ripple runs. Framework-free: the web pages, the REST API and the command line are thin
adapters over these services; nothing here imports a shell.
"""
