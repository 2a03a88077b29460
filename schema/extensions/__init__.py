"""Schema extensions and validation rules that apply to every operation, apart from the types."""
