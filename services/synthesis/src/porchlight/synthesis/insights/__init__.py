"""What each place is saying: counts by SQL, quotes cut from stored notes, prose from those figures."""
