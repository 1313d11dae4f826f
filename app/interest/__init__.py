"""Interest lists: people told when a course they asked about has a date to book."""
