"""The plain-language check as the editors call it while a public text is written."""
