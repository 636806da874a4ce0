"""Sample chunks for factory tests: short, plain English paragraphs of the kind pages yield."""

from __future__ import annotations

TEXTS = (
    "Redis Streams are an append-only log data structure. Each entry has a unique id made of a "
    "millisecond timestamp and a sequence number. Consumer groups let several workers share the "
    "entries of one stream. An entry stays pending until a consumer acknowledges it.",
    "The honey bee is a social insect that lives in colonies. A colony has one queen, thousands "
    "of workers and a few hundred drones. Workers collect nectar and pollen from flowers. Bees "
    "turn nectar into honey and store it in wax cells.",
    "Photosynthesis is how plants make food from light. Chlorophyll in the leaves absorbs "
    "sunlight. The plant combines carbon dioxide and water into sugar. Oxygen is released as a "
    "by-product of the process.",
    "The first modern Olympic Games took place in Athens in 1896. Athletes from fourteen nations "
    "competed in nine sports. The games have been held every four years since, with few "
    "exceptions. Sports such as swimming and athletics have always been part of them.",
)
