"""Classification codes: CPV 2008 (and room for other schemes), loading, lookup and labels."""
