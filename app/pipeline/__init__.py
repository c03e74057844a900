"""The pipeline every request goes through: parse → map → validate → report → serialise."""
