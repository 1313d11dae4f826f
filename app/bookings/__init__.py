"""Bookings: a person's places on sessions, waiting lists and approvals."""
