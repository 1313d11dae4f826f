"""Calendar files: invites mailed with bookings, downloads and feeds."""
