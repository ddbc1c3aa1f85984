"""What residents read without signing in: each neighborhood's and district's public page, its
Atom feed and its flyer (ADR 0017: the channels are the dashboard's)."""
