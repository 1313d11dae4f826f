"""After the session: the rules of who is asked for an evaluation and a follow-up, when,
and what they may send (service.py, queries.py), the signed links mailed (tokens.py),
and the pages they open (routes.py, whose blueprint create_app registers)."""
