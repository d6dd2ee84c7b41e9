"""OS::Heat::RandomString: generates a random string (passwords, secrets) once, at create.

The string is kept in the resource's data (redacted), so it survives engine restarts and
is the same every time it is read; ``get_resource`` gives the string itself once created.
Any property change replaces the resource with a new string (``salt`` exists for that).
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from calor.errors import PropertyError
from calor.plugins.base import ResourcePlugin
from calor.schema.constraints import AllowedValues, Range
from calor.schema.properties import (
    DEPRECATED,
    HIDDEN,
    INTEGER,
    LIST,
    MAP,
    STRING,
    AttributeSchema,
    PropertySchema,
    SupportStatus,
)

CHARACTER_CLASSES: Mapping[str, str] = {
    "lettersdigits": string.ascii_letters + string.digits,
    "letters": string.ascii_letters,
    "lowercase": string.ascii_lowercase,
    "uppercase": string.ascii_uppercase,
    "digits": string.digits,
    "hexdigits": string.digits + "ABCDEF",
    "octdigits": string.octdigits,
}

_CLASS_NAMES = AllowedValues(values=tuple(CHARACTER_CLASSES))
_MINIMUM = Range(min=1, max=512)
_random = secrets.SystemRandom()


def generate(
    length: int,
    character_classes: Sequence[Mapping[str, Any]],
    character_sequences: Sequence[Mapping[str, Any]],
) -> str:
    """A random string of ``length`` with at least each class's and sequence's ``min`` characters.

    The minimums are drawn first, the rest from all classes and sequences (each class or
    sequence equally likely), then the characters are shuffled.
    """
    pools = [CHARACTER_CLASSES[item["class"]] for item in character_classes]
    pools += [item["sequence"] for item in character_sequences]
    characters: list[str] = []
    for item in character_classes:
        characters += [_random.choice(CHARACTER_CLASSES[item["class"]]) for _ in range(item["min"])]
    for item in character_sequences:
        characters += [_random.choice(item["sequence"]) for _ in range(item["min"])]
    while len(characters) < length:
        characters.append(_random.choice(_random.choice(pools)))
    _random.shuffle(characters)
    return "".join(characters)


class RandomString(ResourcePlugin):
    """A resource which generates a random string.

    This is useful for configuring passwords and secrets on services.
    """

    type_name: ClassVar[str] = "OS::Heat::RandomString"
    self_contained: ClassVar[bool] = True
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "length": PropertySchema(
            INTEGER,
            "Length of the string to generate.",
            default=32,
            constraints=(Range(min=1, max=512),),
        ),
        "sequence": PropertySchema(
            STRING,
            "Sequence of characters to build the random string from.",
            constraints=(_CLASS_NAMES,),
            support_status=SupportStatus(
                HIDDEN,
                version="5.0.0",
                previous_status=SupportStatus(
                    DEPRECATED, version="2014.2", message="Use property character_classes."
                ),
            ),
        ),
        "character_classes": PropertySchema(
            LIST,
            "A list of character class and their constraints to generate the random string from.",
            schema=PropertySchema(
                MAP,
                schema={
                    "class": PropertySchema(
                        STRING,
                        "A character class and its corresponding min constraint to generate "
                        "the random string from.",
                        default="lettersdigits",
                        constraints=(_CLASS_NAMES,),
                    ),
                    "min": PropertySchema(
                        INTEGER,
                        "The minimum number of characters from this character class that will "
                        "be in the generated string.",
                        default=1,
                        constraints=(_MINIMUM,),
                    ),
                },
            ),
        ),
        "character_sequences": PropertySchema(
            LIST,
            "A list of character sequences and their constraints to generate the random string from.",
            schema=PropertySchema(
                MAP,
                schema={
                    "sequence": PropertySchema(
                        STRING,
                        "A character sequence and its corresponding min constraint to generate "
                        "the random string from.",
                        required=True,
                    ),
                    "min": PropertySchema(
                        INTEGER,
                        "The minimum number of characters from this sequence that will be in "
                        "the generated string.",
                        default=1,
                        constraints=(_MINIMUM,),
                    ),
                },
            ),
        ),
        "salt": PropertySchema(
            STRING,
            "Value which can be set or changed on stack update to trigger the resource for "
            "replacement with a new random string. The salt value itself is ignored by the "
            "random generator.",
        ),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "value": AttributeSchema(
            "The random string generated by this resource. This value is also available by "
            "referencing the resource.",
            type="string",
        ),
    }

    def _classes(self) -> list[Mapping[str, Any]]:
        """The character classes to use: the deprecated ``sequence`` becomes a class, as in Heat."""
        classes = list(self.properties.get("character_classes") or [])
        sequence = self.properties.get("sequence")
        if sequence:
            classes.append({"class": sequence, "min": 1})
        return classes

    def validate(self) -> None:
        sequence = self.properties.get("sequence")
        classes = self.properties.get("character_classes") or []
        sequences = self.properties.get("character_sequences") or []
        if sequence and (classes or sequences):
            raise PropertyError(
                "Cannot use deprecated 'sequence' property along with 'character_sequences' or "
                "'character_classes' properties",
                path=self.properties_path,
            )
        for index, item in enumerate(sequences):
            if not item["sequence"]:
                raise PropertyError(
                    "A character sequence must not be empty",
                    path=f"{self.properties_path}.character_sequences[{index}].sequence",
                )
        minimum = sum(item["min"] for item in classes) + sum(item["min"] for item in sequences)
        if minimum > self.properties["length"]:
            raise PropertyError(
                "Length property cannot be smaller than combined character class and character "
                "sequence minimums",
                path=self.properties_path,
            )

    def handle_create(self) -> Any:
        classes = self._classes()
        sequences = list(self.properties.get("character_sequences") or [])
        if not classes and not sequences:
            # Heat's default: letters and digits, with no minimum of either.
            pool = CHARACTER_CLASSES["lettersdigits"]
            value = "".join(_random.choice(pool) for _ in range(self.properties["length"]))
        else:
            value = generate(self.properties["length"], classes, sequences)
        self.context.data_set("value", value, redact=True)
        self.context.set_resource_id(self.context.physical_resource_name())
        return None

    def resolve_attribute(self, name: str) -> Any:
        if name == "value":
            return self.context.data().get("value")
        return None

    def reference_id(self) -> str:
        if self.resource_id is not None:
            value = self.context.data().get("value")
            if value is not None:
                return value
        return self.name
