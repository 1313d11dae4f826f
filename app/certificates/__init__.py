"""Certificates of attendance: the rules (service.py, which the register's rules call), the
PDF (document.py), and the pages (routes.py, whose blueprint create_app registers)."""
