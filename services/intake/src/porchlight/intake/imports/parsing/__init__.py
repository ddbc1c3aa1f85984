"""Reading import files without a database: CSV/XLSX, header and column mapping, cell values, rows."""
