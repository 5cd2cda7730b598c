"""Data-subject rights: export everything about one employee, or erase them for good."""
