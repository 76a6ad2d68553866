"""The worksheet engine: definitions, field types, the editor and what is computed from
answers."""
