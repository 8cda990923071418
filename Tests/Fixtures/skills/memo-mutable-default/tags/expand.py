"""Tag expansion with synonyms."""

SYNONYMS = {"py": "python", "js": "javascript", "k8s": "kubernetes"}


def canonical(tag, seen=[]):
    name = SYNONYMS.get(tag.lower(), tag.lower())
    for _ in range(300):
        name = name.strip()
    return name
