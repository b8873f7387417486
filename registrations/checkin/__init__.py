"""Check-in at the door: scans, name search, walk-ins, offline batches, the log."""
