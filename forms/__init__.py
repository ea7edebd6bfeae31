"""FieldBank forms: JSON Schema + RJSF UI schema per user task, validated here (and only here) with
jsonschema. Imports nothing else of FieldBank's."""

from forms.catalogue import DEFINITIONS_DIR, FormCatalogue, FormDefinition, form_name
from forms.errors import FieldError, FormDefinitionInvalid, FormError, FormNotFound, FormProblem
from forms.format_checks import KNOWN_FORMATS
from forms.normalise import normalise_form_data
from forms.validation import clean_form_data, validate_form_data

__all__ = [
    "DEFINITIONS_DIR",
    "KNOWN_FORMATS",
    "FieldError",
    "FormCatalogue",
    "FormDefinition",
    "FormDefinitionInvalid",
    "FormError",
    "FormNotFound",
    "FormProblem",
    "clean_form_data",
    "form_name",
    "normalise_form_data",
    "validate_form_data",
]
