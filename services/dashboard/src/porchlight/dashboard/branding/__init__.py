"""The outreach team's own identity (name, colours, logo) on every public page, email and flyer:
recognisably the community team, not an enforcement unit."""
