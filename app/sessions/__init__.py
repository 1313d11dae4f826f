"""Changing planned sessions: one set of rules for trainers and coordinators."""
