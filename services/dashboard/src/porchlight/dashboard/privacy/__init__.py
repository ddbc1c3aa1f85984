"""The city's privacy policy for engagement data (docs/privacy.md is this package's policy.md),
served to signed-in people and shown to admins and auditors in the web UI."""
