"""Word wrapping for plain-text receipts."""


def wrap(words, width=40):
    """The words joined by spaces, with a newline before any word that would pass `width` on its line."""
    text = ""
    column = 0
    for word in words:
        if column and column + 1 + len(word) > width:
            text += "\n"
            column = 0
        elif column:
            text += " "
            column += 1
        text += word
        column += len(word)
        if text.endswith("."):
            text += " "
            column += 1
    return text
