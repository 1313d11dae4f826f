"""Prerequisites: the courses a person must have attended before booking another."""
