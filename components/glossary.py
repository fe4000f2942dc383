"""Plain explanations of the words the app uses, for help texts and "Words used here".

Strings are literal so that a translated interface can replace them one by one.
"""

from __future__ import annotations

TERMS: dict[str, str] = {
    "neighbour": "A product that is similar to the one you are looking at. Each product gets "
                 "a list of its closest neighbours, most similar first.",
    "list": "The neighbours recommended for one product, most similar first. The Export page "
            "downloads every product's list.",
    "score": "How similar a neighbour is to the product, from 0 (unrelated) to 1 (the same "
             "text; and the same photo when photos are part of the score). It combines what "
             "the texts mean and the words and model numbers they share (and the photos, as "
             "much as 'Photos vs text' gives them); the same model code raises it, and "
             "different sizes, colours, years, editions (a language, a console, men's or "
             "women's) or platforms, or a remanufactured copy, keep it below 'the same "
             "product'. 0.90 and up: the same product.",
    "rule": "A condition every neighbour must meet, such as the same category or a price "
            "close to the product's. When too few products meet it, a list is shorter.",
    "short list": "A list with fewer neighbours than you asked for, because the rules left "
                  "too few products.",
    "band": "A name for a range of scores, such as 'duplicate' for 0.95 and above. Products "
            "in the 'duplicate' band are left out of lists unless you keep them.",
    "duplicate": "Two records of the same product (for example the same item listed twice). "
                 "They are left out of each other's lists unless you keep them.",
    "mapping": "Telling the app which column holds what: the product id, the text that "
               "describes the product (title, description), and optionally category, brand, "
               "price and image.",
    "review": "Looking at two products side by side and saying whether they belong in each "
              "other's lists. Accepted pairs always appear, rejected pairs never do.",
    "pinned": "A pair you want always to appear in each other's lists.",
    "blocked": "A pair that must never appear in each other's lists.",
    "orphan": "A product that appears in nobody's list, so shoppers never reach it from "
              "another product.",
    "hub": "A product that appears in a great many lists.",
    "map": "Every product as a dot; similar products sit close together. The position "
           "itself has no meaning, only the closeness.",
    "heatmap": "A grid of scores between a few products: bright squares are similar pairs.",
    "advanced": "Technical settings in the sidebar (model, how meaning is compared, words "
                "against meaning, column weights, precision, search method). The defaults "
                "were measured on labelled catalogs.",
    "model": "The language model that reads the product texts. Two are built in: an English "
             "one (the fastest) and a multilingual one for Chinese, mixed and other catalogs; "
             "a Chinese catalog gets the multilingual one by default.",
}
