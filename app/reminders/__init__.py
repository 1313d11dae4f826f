"""Reminders of a session, sent a set number of working days before it to people with places."""
