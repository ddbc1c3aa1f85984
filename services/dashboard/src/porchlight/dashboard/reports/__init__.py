"""The monthly community report: HTML and PDF (reportlab), with charts."""
