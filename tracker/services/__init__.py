"""Domain logic. Functions take explicit arguments (the acting user too), flush but never
commit, and raise the errors in `tracker.domain.errors`."""
