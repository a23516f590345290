"""The written half as a student meets it: the report's source format and its rendering to PDF."""
