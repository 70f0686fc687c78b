"""Value objects, ports and errors shared by every layer; imports no SDK."""
