"""City departments and the co-response teams that pair them: the owners of micro-projects."""
