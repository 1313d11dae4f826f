"""How confident people say they are against a course's learning outcomes, before and after."""
