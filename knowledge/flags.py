"""Allergen and diet flags for foods, recipe ingredients and recipes, derived from text by fixed rules.

A wrong "safe" flag is the worst error this product can make, so every rule leans towards flagging:
- `allergens` means "contains or may contain". A keyword anywhere in the description, the category's
  defaults (composite categories such as baked products or fast foods are assumed to contain milk, egg,
  wheat, gluten and soy unless the description rules it out), or a matched ingredient's flags, set it.
- `diets` lists diets a row is *known* to suit. Composite dishes whose meat content the text does not state
  (fast foods, restaurant foods, soups, entrées, baby foods) suit no diet.
- Exceptions are explicit phrases masked before matching, each for a stated reason: peanut butter is not
  dairy, almond or coconut milk is not dairy (but is a tree nut), eggplant is not egg, buckwheat is not
  wheat, water chestnut is not a tree nut, kidney beans are not offal, oyster mushrooms are not shellfish.
- Coconut is flagged as a tree nut (FDA listed it as one until 2025; some allergic people react to it).
- Oats are flagged for gluten (usually cross-contaminated) unless the text says gluten-free.
- Halal/kosher: we can only see pork and alcohol (and shellfish, in `allergens`); slaughter rules are out of
  reach of the data, so those diets filter on these flags and the UI must say so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from store.vocabulary import Allergen, Diet

PLANT_DIETS = (Diet.VEGAN, Diet.VEGETARIAN, Diet.PESCATARIAN)


def _words(*words: str) -> str:
    """Alternation of whole words/phrases, each optionally plural with -s (-es forms are listed: a generic
    -es would turn "cod" into "codes")."""
    return r"\b(?:" + "|".join(words) + r")s?\b"


@dataclass(frozen=True)
class Rule:
    """Keywords that set a flag, and phrases masked out first (each mask is a documented exception)."""

    keywords: re.Pattern[str]
    masks: re.Pattern[str] | None = None

    def find(self, text: str) -> str | None:
        if self.masks is not None:
            text = self.masks.sub(" ", text)
        match = self.keywords.search(text)
        return match.group(0) if match else None


def _rule(keywords: str, masks: str | None = None) -> Rule:
    return Rule(re.compile(keywords), re.compile(masks) if masks else None)


_PLANT_PREFIX = r"\b(?:vegan|dairy[- ]free|plant[- ]based)\s+"
_CHEESES = (
    "parmesan|parmigiano|pecorino|mozzarella|cheddar|feta|ricotta|mascarpone|gruy[eè]re|emmen?tha?l"
    "|gouda|brie|camembert|halloumi|paneer|provolone|manchego|roquefort|gorgonzola|stilton|appenzeller"
    "|raclette|comt[eé]|fontina|asiago|monterey jack|colby|havarti|labneh|quark|queso|burrata|edam"
)

RULES: dict[Allergen, Rule] = {
    Allergen.MILK: _rule(
        _words(
            "milk",
            "buttermilk",
            "cheese",
            "cheesecake",
            "cheeseburger",
            "butter",
            "butterscotch",
            "ghee",
            "cream",
            "creamy",
            "creamed",
            "creamer",
            "whitener",
            "cr[eè]me",
            "margarine",
            "yogh?o?urt",
            "kefir",
            "skyr",
            "whey",
            "casein",
            "caseinate",
            "lactose",
            "curd",
            "custard",
            "pudding",
            "ice milk",
            "sherbet",
            "gelato",
            "milkshake",
            "shake",
            "latte",
            "cappuccino",
            "eggnog",
            "alfredo",
            "pesto",
            "caesar",
            "tiramisu",
            "hollandaise",
            "b[eé]arnaise",
            "quiche",
            "carbonara",
            "nutella",
            "gianduja",
            "b[eé]chamel",
            "half and half",
            "half-and-half",
            "dulce de leche",
            "fudge",
            "caramel",
            "nougat",
            "tzatziki",
            "raita",
            "lassi",
            "dairy",
            "cottage",
            _CHEESES,
        ),
        # Not dairy: nut/seed/grain milks and butters, cocoa and shea butter, butter beans, butternut squash,
        # butterhead lettuce, cream of tartar, cream soda, bean curd (tofu), milkfish, milk thistle.
        r"\b(?:coconut|almond|cashew|soy|soya|rice|oat|hemp|hazelnut|macadamia|pea|flax|walnut|pistachio)"
        r"\s*(?:milk|cream|butter|yogh?urt|beverage)s?\b"
        r"|\bcreamy\b(?=\s+(?:peanut|almond|cashew|nut|sunflower|seed|hazelnut)\b)|\bcream of coconut\b"
        r"|\bdairy[- ]free\b|\bnon-?dairy\b|\bwithout (?:added )?(?:milk|butter|cheese)\b|\bcottage[- ]cut\b"
        r"|\bbread and butter pickles?\b|\bcustard[- ]apples?\b"
        r"|\b(?:nutmeg|ucuhuba|kokum|mowrah|illipe) butter\b"
        r"|\bsoymilks?\b|\b(?:peanut|nut|seed|apple|pumpkin|cocoa|cacao|shea|sunflower|sesame|mango)"
        r"\s+butters?\b"
        r"|\bbutter ?beans?\b|\bbutternuts?\b|\bbutterhead\b|\bbutterbur\b|\bcream of tartar\b|\bcream soda\b"
        r"|\bbean ?curds?\b|\bmilkfish\b|\bmilk thistle\b|\bmilkweed\b|\bcoconut\b[^,;]*\bmilk\b"
        + "|"
        + _PLANT_PREFIX
        + r"(?:cheese|butter|milk|cream|yogh?urt)s?\b",
    ),
    Allergen.EGG: _rule(
        _words(
            "egg",
            "eggnog",
            "yolk",
            "albumen",
            "albumin",
            "meringue",
            "mayonnaise",
            "mayo",
            "aioli",
            "custard",
            "hollandaise",
            "b[eé]arnaise",
            "quiche",
            "frittata",
            "omelett?e?",
            "french toast",
            "souffl[eé]",
            "brioche",
            "challah",
            "pancake",
            "waffle",
            "cr[eê]pe",
            "macaron",
            "macaroon",
            "ladyfinger",
            "caesar",
            "tartar sauce",
            "remoulade",
            "eggroll",
            "noodle",
            "pasta, fresh",
            "fresh pasta",
            "carbonara",
            "tiramisu",
            "zabaglione",
            "nougat",
            "tempura",
            "frangipane",
            "pad thai",
        ),
        # Not egg: eggplant (aubergine); egg-free/eggless products; rice/glass/bean-thread noodles.
        r"\beggplants?\b|\begg plants?\b|\begg[- ]free\b|\beggless\b"
        r"|\b(?:rice|glass|cellophane|bean thread|shirataki|kelp|zucchini|konjac)\s+noodles?\b"
        r"|\bnoodles?, chinese, cellophane\b|\bcustard[- ]apples?\b",
    ),
    Allergen.PEANUT: _rule(
        _words(
            "peanut",
            "groundnut",
            "arachis",
            "goober",
            "satay",
            "pad thai",
            "kung pao",
            "snickers",
            "reese'?s",
            "payday",
            "baby ruth",
            "butterfinger",
            "nutter butter",
            "mr\\. goodbar",
            "trail mix",
            "mixed nuts",
        ),
        r"\bpeanut[- ]free\b|\bnut[- ]free\b",
    ),
    Allergen.TREE_NUT: _rule(
        _words(
            "almond",
            "walnut",
            "cashew",
            "pecan",
            "pistachio",
            "hazelnut",
            "filbert",
            "macadamia",
            "muesli",
            "gianduja",
            "brazil ?nut",
            "brazilnut",
            "pine ?nut",
            "pignoli[a]?",
            "pinyon",
            "chestnut",
            "beechnut",
            "butternut",
            "hickory ?nut",
            "ginkgo",
            "shea",
            "coconut",
            "praline",
            "marzipan",
            "frangipane",
            "amarett[oi]",
            "nutella",
            "gianduja",
            "nougat",
            "baklava",
            "pesto",
            "mixed nuts",
            "trail mix",
        ),
        # Not tree nuts: water chestnut (a corm), butternut squash, nutmeg (a seed; whole-word match
        # already excludes it), nut-free products.
        r"\bwater ?chestnuts?\b|\bbutternut squash\b|\bsquash, winter, butternut\b|\bnut[- ]free\b"
        r"|\btree[- ]nut[- ]free\b",
    ),
    Allergen.SOY: _rule(
        _words(
            "soy",
            "soya",
            "soybean",
            "soymilk",
            "soy sauce",
            "tofu",
            "tempeh",
            "miso",
            "natto",
            "edamame",
            "textured vegetable protein",
            "tvp",
            "shoyu",
            "tamari",
            "bean curd",
            "okara",
            "yuba",
            "lecithin",
            "teriyaki",
            "hoisin",
        ),
        r"\bsoy[- ]free\b",
    ),
    Allergen.WHEAT: _rule(
        _words(
            "wheat",
            "flour",
            "bread",
            "breadcrumb",
            "bread crumb",
            "breaded",
            "crouton",
            "pasta",
            "spaghetti",
            "macaroni",
            "noodle",
            "couscous",
            "bulgh?u?r",
            "burghul",
            "semolina",
            "durum",
            "farina",
            "seitan",
            "tempura",
            "roux",
            "baklava",
            "phyllo",
            "filo",
            "b[eé]chamel",
            "spelt",
            "kamut",
            "einkorn",
            "emmer",
            "farro",
            "freekeh",
            "triticale",
            "cracker",
            "biscuit",
            "cake",
            "cupcake",
            "cheesecake",
            "cookie",
            "pastry",
            "pastries",
            "pie",
            "pizza",
            "bagel",
            "muffin",
            "croissant",
            "pretzel",
            "tortilla",
            "waffle",
            "pancake",
            "cr[eê]pe",
            "dumpling",
            "wonton",
            "egg ?roll",
            "spring roll",
            "gnocchi",
            "ravioli",
            "lasagna",
            "lasagne",
            "tortellini",
            "orzo",
            "udon",
            "ramen",
            "soba",
            "chow mein",
            "lo mein",
            "roux",
            "soy sauce",
            "shoyu",
            "teriyaki",
            "hoisin",
            "battered",
            "stuffing",
            "dough",
            "pita",
            "pitta",
            "naan",
            "chapati",
            "roti",
            "matzo",
            "matzah",
            "graham",
            "wafer",
            "brownie",
            "doughnut",
            "donut",
            "danish",
            "strudel",
            "scone",
            "bun",
            "roll",
            "panko",
            "bran",
            "germ",
            "cereal",
            "granola",
            "sandwich",
            "sandwiches",
            "burger",
            "hamburger",
            "cheeseburger",
            "burrito",
            "taco",
            "enchilada",
            "quesadilla",
            "breakfast bar",
            "cereal bar",
        ),
        # Not wheat: buckwheat (whole-word match already excludes it), flours of other plants, corn
        # tortillas, rice and other non-wheat noodles, rice cakes, oat/rice/corn bran, gluten-free bread.
        r"\b(?:rice|corn|maize|potato|soy|soya|buckwheat|almond|coconut|chickpea|garbanzo|gram|besan|tapioca"
        r"|cassava|arrowroot|oat|rye|masa|nut|teff|sorghum|millet|quinoa|amaranth|banana|peanut|sesame"
        r"|carob|lupin|pea|bean|lentil|chestnut|hazelnut|cornstarch)\s+(?:flour|meal|bran|cakes?|noodles?"
        r"|crackers?|bread|pasta|tortillas?)s?\b"
        r"|\btortillas?, ready-to-bake or -fry, corn\b|\bcorn tortillas?\b"
        r"|\b(?:glass|cellophane|bean thread|shirataki|kelp|zucchini|konjac)\s+noodles?\b"
        r"|\bnoodles?, chinese, cellophane\b|\bbread and butter pickles?\b|\brelish, (?:hot dog|hamburger)\b"
        r"|\bwheat[- ]free\b|\bpie fillings?\b(?!.*crust)",
    ),
    Allergen.FISH: _rule(
        _words(
            "fish",
            "pad thai",
            "anchov(?:y|ie)",
            "bass",
            "bluefish",
            "bonito",
            "burbot",
            "butterfish",
            "carp",
            "catfish",
            "caviar",
            "cisco",
            "cod",
            "croaker",
            "cusk",
            "dolphinfish",
            "mahi ?mahi",
            "eel",
            "flatfish",
            "flounder",
            "grouper",
            "haddock",
            "hake",
            "halibut",
            "herring",
            "lingcod",
            "mackerel",
            "milkfish",
            "monkfish",
            "mullet",
            "perch",
            "roughy",
            "pike",
            "pollock",
            "pollack",
            "pompano",
            "porgy",
            "rockfish",
            "roe",
            "sablefish",
            "salmon",
            "sardine",
            "scup",
            "shad",
            "shark",
            "sheepshead",
            "smelt",
            "snapper",
            "sole",
            "sturgeon",
            "sunfish",
            "surimi",
            "swordfish",
            "tilapia",
            "tilefish",
            "trout",
            "tuna",
            "turbot",
            "whitefish",
            "whiting",
            "wolffish",
            "yellowtail",
            "worcestershire",
            "caesar",
            "dashi",
            "katsuobushi",
            "nam pla",
            "lox",
            "gravlax",
            "kipper",
            "pilchard",
            "sprat",
            "branzino",
            "barramundi",
            "arctic char",
            "pangasius",
            "basa",
            "sea bream",
            "bream",
            "imitation crab",
            "fish sauce",
            "fish oil",
            "kimchi",  # traditionally with fish sauce and salted shrimp
        ),
        r"\bfish[- ]free\b|\bvegan kimchi\b",
    ),
    Allergen.SHELLFISH: _rule(
        _words(
            "shellfish",
            "shrimp",
            "prawn",
            "crab",
            "lobster",
            "crayfish",
            "crawfish",
            "langoustine",
            "krill",
            "clam",
            "mussel",
            "oyster",
            "scallop",
            "squid",
            "calamari",
            "octopus",
            "cuttlefish",
            "abalone",
            "conch",
            "whelk",
            "snail",
            "escargot",
            "crustacean",
            "mollusk",
            "mollusc",
            "sea urchin",
            "cockle",
            "periwinkle",
            "imitation crab",
            "kimchi",
        ),
        # Not shellfish: crab apples, oyster mushrooms, oyster plant (salsify), scalloped potatoes (the
        # whole-word match excludes "scalloped").
        r"\bcrab ?apples?\b|\boyster mushrooms?\b|\bmushrooms?, oyster\b|\boyster plant\b"
        r"|\bvegetable oyster\b"
        r"|\bscallop squash\b|\bsquash, summer, scallop\b|\bvegan kimchi\b",
    ),
    Allergen.SESAME: _rule(
        _words("sesame", "tahini", "tahina", "halvah?", "hummus", "houmous", "humm?os", "benne", "gomasio"),
    ),
}

# Gluten is wheat plus the other gluten grains; oats are flagged (usually cross-contaminated).
GLUTEN_ONLY = _rule(
    _words(
        "barley",
        "rye",
        "malt",
        "malted",
        "oat",
        "oats",
        "oatmeal",
        "granola",
        "muesli",
        "brewer'?s yeast",
        "beer",
        "ale",
        "lager",
        "stout",
        "seitan",
        "triticale",
        "spelt",
    ),
    r"\bgluten[- ]free\b[^,;]*|\bginger ale\b|\broot beer\b|\bbirch beer\b",
)
GLUTEN_FREE_CLAIM = re.compile(r"\bgluten[- ]free\b")

PORK = _rule(
    _words(
        "pork",
        "ham",
        "bacon",
        "lard",
        "lardons?",
        "prosciutto",
        "pancetta",
        "guanciale",
        "liverwurst",
        "braunschweiger",
        "scrapple",
        "chitterling",
        "cracklings?",
        "spare ?ribs?",
        "boar",
        "pig",
        "piglet",
        "hog",
        "speck",
        "jam[oó]n",
        "tocino",
        "char siu",
        "carnitas",
        "pigs?'? feet",
        "souse",
        "headcheese",
    ),
    r"\bguinea pigs?\b|\brelish, (?:hot dog|hamburger)\b",
)

PORK_UNLESS_STATED = _rule(
    _words(
        "salami",
        "pepperoni",
        "sausage",
        "frankfurter",
        "hot ?dog",
        "wiener",
        "bratwurst",
        "kielbasa",
        "bologna",
        "mortadella",
        "knockwurst",
        "andouille",
        "chorizo",
        "spam",
        "luncheon meat",
        "p[aâ]t[eé]",
        "gelatine?",
        "jell-?o",
        "marshmallow",
        "gumm(?:y|ie)",
    ),
)
# Meat named outright: a "beef frankfurter" or "turkey pepperoni" states what it is made of.
STATED_NOT_PORK = re.compile(r"\b(?:beef|turkey|chicken|poultry|veal|lamb|fish|tofu|soy)\b")

ALCOHOL = _rule(
    _words(
        "alcohol",
        "alcoholic",
        "wine",
        "beer",
        "ale",
        "lager",
        "stout",
        "rum",
        "vodka",
        "whiske?y",
        "bourbon",
        "brandy",
        "cognac",
        "gin",
        "tequila",
        "liqueur",
        "sake",
        "mirin",
        "sherry",
        "vermouth",
        "marsala",
        "champagne",
        "prosecco",
        "hard cider",
        "kirsch",
        "amaretto",
        "schnapps",
        "port wine",
        "vanilla extract",
        "rum extract",
        "tiramisu",
        "mead",
        "cocktail",
        "daiquiri",
        "margarita",
        "martini",
        "sangria",
    ),
    # Not alcoholic: vinegars, ginger ale, root/birch beer, non-alcoholic and alcohol-free products.
    r"\b(?:wine|cider|rice wine|sherry|malt|beer)\s+vinegars?\b|\bvinegar, (?:red |white |rice )?wine\b"
    r"|\bginger ale\b|\broot beer\b|\bbirch beer\b"
    r"|\bnon-?alcoholic\b[^,;]*|\balcohol[- ]free\b[^,;]*|\b(?:no|without) alcohol\b|\bsugar alcohols?\b",
)

MEAT = _rule(
    _words(
        "beef",
        "veal",
        "lamb",
        "mutton",
        "goat",
        "chicken",
        "turkey",
        "duck",
        "goose",
        "quail",
        "pheasant",
        "poultry",
        "venison",
        "rabbit",
        "bison",
        "buffalo",
        "elk",
        "moose",
        "deer",
        "caribou",
        "reindeer",
        "seal",
        "whale",
        "walrus",
        "beaver",
        "muskrat",
        "opossum",
        "squirrel",
        "raccoon",
        "meat",
        "meats",
        "meatball",
        "meatloaf",
        "jerky",
        "liver",
        "kidney",
        "heart",
        "tongue",
        "tripe",
        "oxtail",
        "giblets?",
        "gizzard",
        "marrow",
        "steak",
        "breast",
        "burger",
        "hamburger",
        "cheeseburger",
        "broth",
        "stock",
        "bouillon",
        "consomm[eé]",
        "gravy",
        "tallow",
        "suet",
        "drippings",
        "schmaltz",
        "collagen",
        "carmine",
        "cochineal",
        "mincemeat",
        "rennet",
        "game",
        "frog",
        "snake",
        "turtle",
        "emu",
        "ostrich",
        "squab",
        "pigeon",
        "pot roast",
        "roast beef",
        "brisket",
        "sirloin",
        "tenderloin",
        "ribeye",
        "ribs?",
        "wings?",
        "drumsticks?",
        "thighs?",
        "nuggets?",
    ),
    # Not meat: kidney/other beans, artichoke hearts, hearts of palm, vegetable marrow and marrowfat peas,
    # coconut/nut meat, goat/buffalo milk and cheese, vegetable broth/stock, chop suey vegetables,
    # meatless and vegetarian products, the soup-stock word used for vegetable stock.
    r"\b(?:kidney|navy|lima|pinto|black|butter)\s+beans?\b|\bartichoke hearts?\b|\bhearts? of palm\b"
    r"|\bvegetable marrow\b|\bmarrowfat\b|\b(?:coconut|nut|almond|walnut|pecan)\s+meats?\b"
    r"|\b(?:goat|buffalo|sheep)(?:'s)?\s+(?:milk|cheese|yogh?urt|butter)s?\b|\bbuffalo mozzarella\b"
    r"|\b(?:vegetable|veggie|mushroom|miso|kombu|seaweed)\s+(?:broth|stock|bouillon|gravy|burgers?)s?\b"
    r"|\bmeat (?:substitute|analog|alternative)s?\b|\bgame day\b|\bstock ?pot\b"
    r"|\bgrated meat\b|\bcoconut meat\b|\bbeans?, (?:kidney|navy|lima|pinto|black)\b|\bpalm hearts?\b"
    r"|\blamb'?s[- ]?quarters\b|\bduck sauce\b|\bhearts?, (?:palm|artichoke)\b|\bblack turtle\b"
    r"|\bpigeon peas?\b|\bmeat extender\b|\bsteak fries\b|\bbullock's[- ]heart\b|\bpoultry seasoning\b"
    r"|\brelish, (?:hot dog|hamburger)\b"
    r"|\bribs? (?:of )?celery\b|\bcelery ribs?\b|\bdrumstick (?:leaves|pods)\b"
    r"|\bchicken[- ]of[- ]the[- ]woods\b",
)
FISH_WORDS_FOR_DIETS = (Allergen.FISH, Allergen.SHELLFISH)
# "Nuts" without a named tree nut ("chopped nuts", "nut butter") may be peanuts as well.
GENERIC_NUT = _rule(_words("nut", "nuts", "nut butter", "nut milk"), r"\bnut[- ]free\b")
# An explicit meatless claim ("Sausage, meatless", "vegetarian chili") overrides meat words in the same text.
VEGETARIAN_CLAIM = re.compile(r"\b(?:meatless|vegetarian|vegan)\b")
# Enough, in a mixed-dish category, to say that the dish has no meat.
NO_MEAT_DISH = re.compile(r"\b(?:meatless|vegetarian|vegan|vegetable (?:broth|stock))\b")
HONEY = _rule(_words("honey", "honeycomb", "royal jelly", "bee pollen", "beeswax"), r"\bhoneydew\b")
# Not vegetarian either: these cheeses are made with animal (calf) rennet by definition (Parmigiano Reggiano,
# Pecorino Romano and Grana Padano rules), unless a vegetarian or vegan version is named.
OTHER_ANIMAL = _rule(
    _words(
        "gelatine?",
        "isinglass",
        "lanolin",
        "shellac",
        "carmine",
        "cochineal",
        "parmesan",
        "parmigiano",
        "pecorino",
        "grana padano",
    ),
    _PLANT_PREFIX + r"(?:parmesan|parmigiano|pecorino)\b|\bvegetarian\s+(?:parmesan|hard cheese)\b",
)

# SR28 categories: what a category implies by itself.
MEAT_CATEGORIES = frozenset(
    {
        "Beef Products",
        "Pork Products",
        "Poultry Products",
        "Lamb, Veal, and Game Products",
        "Sausages and Luncheon Meats",
    }
)
FISH_CATEGORY = "Finfish and Shellfish Products"
# Mixed dishes whose meat content the description may not state.
MEAT_UNSURE_CATEGORIES = frozenset(
    {
        "Fast Foods",
        "Restaurant Foods",
        "Meals, Entrees, and Side Dishes",
        "Soups, Sauces, and Gravies",
        "Baby Foods",
        "American Indian/Alaska Native Foods",
    }
)
# Meat analogues in the legume category (SR28 lists the brands' products by name only: "WORTHINGTON
# Choplets", "MORNINGSTAR FARMS Chik Patties"): made of wheat gluten and soy, often with egg white and milk.
LEGUME_CATEGORY = "Legumes and Legume Products"
MEAT_ANALOGUE = re.compile(
    r"^(?:morningstar farms|worthington|loma linda|gardenburger|boca)\b|\bmeatless\b"
    r"|^vegetarian (?:fillets|meatloaf)|\bveggie burgers?\b|\bsoy ?burgers?\b"
)
VEGAN_CLAIM = re.compile(r"\bvegan\b")
# Prepared foods whose name does not list what they are made of, with what such products commonly hold.
# Commercial dressings: mayonnaise (egg), buttermilk or cheese (milk). Protein and meal-replacement
# products: milk and soy proteins; bars often nuts or peanuts. "VPP" is a vegetable (soy) protein product.
# Instant mocha or cappuccino mixes carry milk solids; horchata is often made with milk.
_COMPOSITE_RULES: tuple[tuple[re.Pattern[str], tuple[Allergen, ...], str], ...] = (
    (
        re.compile(r"\b(?:salad )?dressing\b(?!.*\bhome recipe\b)(?!.*\bvinegar and oil\b)"),
        (Allergen.EGG, Allergen.MILK),
        "commercial dressing (mayonnaise, buttermilk or cheese)",
    ),
    (
        re.compile(
            r"\bprotein (?:powder|bar|shake|drink)s?\b|\bmeal replacement\b|\bnutritional (?:drink|shake)\b"
        ),
        (Allergen.MILK, Allergen.SOY),
        "protein or meal-replacement product (milk and soy proteins)",
    ),
    (
        re.compile(r"\b(?:formulated|protein|energy|nutrition) bars?\b"),
        (Allergen.PEANUT, Allergen.TREE_NUT),
        "bar (often nuts or peanuts)",
    ),
    (re.compile(r"\bvpp\b|\bvegetable protein\b"), (Allergen.SOY,), "vegetable (soy) protein product"),
    (
        re.compile(
            r"\b(?:mocha|cappuccino|latte)\b.*\b(?:instant|mix|powder)\b|\b(?:instant|mix)\b.*\b(?:mocha|cappuccino|latte)\b|\bhorchata\b"
        ),
        (Allergen.MILK,),
        "drink mix or drink often made with milk",
    ),
)
# Composite foods whose ingredients the description does not list: assume the common allergens.
COMPOSITE_ALLERGENS: dict[str, tuple[Allergen, ...]] = {
    "Baked Products": (Allergen.MILK, Allergen.EGG, Allergen.WHEAT, Allergen.GLUTEN, Allergen.SOY),
    "Fast Foods": (Allergen.MILK, Allergen.EGG, Allergen.WHEAT, Allergen.GLUTEN, Allergen.SOY),
    "Restaurant Foods": (Allergen.MILK, Allergen.EGG, Allergen.WHEAT, Allergen.GLUTEN, Allergen.SOY),
    "Meals, Entrees, and Side Dishes": (
        Allergen.MILK,
        Allergen.EGG,
        Allergen.WHEAT,
        Allergen.GLUTEN,
        Allergen.SOY,
    ),
    "Soups, Sauces, and Gravies": (Allergen.MILK, Allergen.WHEAT, Allergen.GLUTEN, Allergen.SOY),
    "Sweets": (Allergen.MILK, Allergen.SOY),
    "Breakfast Cereals": (Allergen.WHEAT, Allergen.GLUTEN),
    "Baby Foods": (Allergen.MILK, Allergen.WHEAT, Allergen.GLUTEN, Allergen.SOY),
}
# Within a composite category, descriptions that name a simple product: the category defaults do not apply
# (keywords still do).
SIMPLE_IN_COMPOSITE = re.compile(
    r"^(?:cereals, (?:corn grits|cream of rice|rice, white)|rice cakes?"
    r"|tortillas, ready-to-bake or -fry, corn"
    r"|honey|sugars?,|syrups?,|molasses|jams?\b|jellies|marmalade|sweeteners?,|cocoa, dry powder"
    r"|baby food, (?:fruit|vegetables?|apple|banana|pears?|peaches|carrots?|squash|sweet potatoes|peas"
    r"|green beans|applesauce|juice)[^,]*(?:, (?:strained|junior|toddler|puree))*$)"
)
OATS_ONLY_CEREAL = re.compile(r"^cereals, oats\b")


@dataclass
class Flags:
    """What a row contains or may contain, and the diets it is known to suit. `reasons` explains each."""

    allergens: set[Allergen] = field(default_factory=set)
    diets: set[Diet] = field(default_factory=lambda: set(PLANT_DIETS))
    contains_pork: bool = False
    contains_alcohol: bool = False
    reasons: dict[str, str] = field(default_factory=dict)

    def flag(self, what: Allergen | str, reason: str) -> None:
        if isinstance(what, Allergen):
            self.allergens.add(what)
        elif what == "pork":
            self.contains_pork = True
        elif what == "alcohol":
            self.contains_alcohol = True
        self.reasons.setdefault(str(what), reason)

    def exclude(self, diet: Diet, reason: str) -> None:
        if diet in self.diets:
            self.diets.discard(diet)
            self.reasons.setdefault(f"not_{diet.value}", reason)

    def merge(self, other: Flags) -> None:
        """Union of hazards, intersection of diets: a mix is only as safe as its least safe part."""
        self.allergens |= other.allergens
        self.diets &= other.diets
        self.contains_pork |= other.contains_pork
        self.contains_alcohol |= other.contains_alcohol
        for key, value in other.reasons.items():
            self.reasons.setdefault(key, value)

    def sorted_allergens(self) -> list[str]:
        return sorted(a.value for a in self.allergens)

    def sorted_diets(self) -> list[str]:
        return sorted(d.value for d in self.diets)


def normalise(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def text_flags(text: str) -> Flags:
    """Flags from free text alone (an ingredient line, a recipe title): keyword rules, no category."""
    flags = Flags()
    _apply_keywords(normalise(text), flags)
    return flags


def food_flags(
    description: str,
    category: str | None,
    *,
    common_names: str | None = None,
    alcohol_g: float | None = None,
) -> Flags:
    """Flags for a food row: keyword rules on its description and common names, then category rules."""
    text = normalise(f"{description} {common_names or ''}")
    flags = Flags()
    _apply_keywords(text, flags)
    category = category or ""
    if alcohol_g is not None and alcohol_g > 0:
        flags.flag("alcohol", f"alcohol {alcohol_g:g} g per 100 g")
    simple = bool(SIMPLE_IN_COMPOSITE.match(text))
    # Eggs themselves are not dairy; anything else in this category (egg substitutes, eggnog too) is.
    if category == "Dairy and Egg Products" and not re.match(r"egg(?:,| white| yolk)", text):
        flags.flag(Allergen.MILK, "category Dairy and Egg Products")
    if category == "Breakfast Cereals" and OATS_ONLY_CEREAL.match(text):
        simple = True  # oats: gluten by keyword, no wheat default
    if category in COMPOSITE_ALLERGENS and not simple:
        for allergen in COMPOSITE_ALLERGENS[category]:
            if allergen is Allergen.GLUTEN and GLUTEN_FREE_CLAIM.search(text):
                continue
            flags.flag(allergen, f"composite food in category {category}: may contain")
    if category == "Nut and Seed Products" and text.startswith("nuts"):
        flags.flag(Allergen.TREE_NUT, "category Nut and Seed Products (nuts)")
    if category == FISH_CATEGORY:
        if text.startswith(("crustaceans", "mollusks")):
            flags.flag(Allergen.SHELLFISH, f"category {category} (shellfish)")
        else:
            flags.flag(Allergen.FISH, f"category {category}")
    if category == "Pork Products":
        flags.flag("pork", "category Pork Products")
    if category == "Sausages and Luncheon Meats" and not re.search(
        r"\b(?:beef|turkey|chicken|poultry|meatless|vegetarian)\b", text
    ):
        flags.flag("pork", "category Sausages and Luncheon Meats, meat not stated")
    if category in MEAT_CATEGORIES:
        for diet in PLANT_DIETS:
            flags.exclude(diet, f"category {category}")
    if category == FISH_CATEGORY:
        flags.exclude(Diet.VEGAN, f"category {category}")
        flags.exclude(Diet.VEGETARIAN, f"category {category}")
    if category in MEAT_UNSURE_CATEGORIES and not simple and not NO_MEAT_DISH.search(text):
        for diet in PLANT_DIETS:
            flags.exclude(diet, f"mixed dish in category {category}: meat content unknown")
    if category == LEGUME_CATEGORY and MEAT_ANALOGUE.search(text):
        analogue = [Allergen.SOY, Allergen.WHEAT, Allergen.GLUTEN]
        if not VEGAN_CLAIM.search(text):
            analogue += [Allergen.MILK, Allergen.EGG]
        for allergen in analogue:
            flags.flag(
                allergen, "meat analogue (gluten and soy based; egg and milk unless vegan): may contain"
            )
    for pattern, allergens, why in _COMPOSITE_RULES:
        if pattern.search(text):
            for allergen in allergens:
                flags.flag(allergen, f"{why}: may contain")
    if flags.allergens & {Allergen.MILK, Allergen.EGG}:
        flags.exclude(Diet.VEGAN, "contains or may contain milk or egg")
    _gluten_from_wheat(text, flags)
    return flags


def _apply_keywords(text: str, flags: Flags) -> None:
    for allergen, rule in RULES.items():
        if (word := rule.find(text)) is not None:
            flags.flag(allergen, f"word '{word}'")
    if (word := GENERIC_NUT.find(text)) is not None and Allergen.TREE_NUT not in flags.allergens:
        flags.flag(Allergen.PEANUT, f"word '{word}' (no nut named)")
        flags.flag(Allergen.TREE_NUT, f"word '{word}' (no nut named)")
    if not GLUTEN_FREE_CLAIM.search(text) and (word := GLUTEN_ONLY.find(text)) is not None:
        flags.flag(Allergen.GLUTEN, f"word '{word}'")
    meatless = VEGETARIAN_CLAIM.search(text) is not None
    if not meatless and (word := PORK.find(text)) is not None:
        flags.flag("pork", f"word '{word}'")
    elif (
        not meatless
        and (word := PORK_UNLESS_STATED.find(text)) is not None
        and not STATED_NOT_PORK.search(text)
    ):
        flags.flag("pork", f"word '{word}' (meat not stated, often pork)")
    if (word := ALCOHOL.find(text)) is not None:
        flags.flag("alcohol", f"word '{word}'")
    word = None if meatless else MEAT.find(text)
    if word is not None or flags.contains_pork:
        reason = f"word '{word}'" if word else "contains or may contain pork"
        for diet in PLANT_DIETS:
            flags.exclude(diet, reason)
    if flags.allergens & set(FISH_WORDS_FOR_DIETS):
        flags.exclude(Diet.VEGAN, "fish or shellfish")
        flags.exclude(Diet.VEGETARIAN, "fish or shellfish")
    if flags.allergens & {Allergen.MILK, Allergen.EGG}:
        flags.exclude(Diet.VEGAN, "milk or egg")
    if (word := HONEY.find(text)) is not None:
        flags.exclude(Diet.VEGAN, f"word '{word}'")
    if (word := OTHER_ANIMAL.find(text)) is not None:
        for diet in PLANT_DIETS:
            flags.exclude(diet, f"word '{word}'")
    _gluten_from_wheat(text, flags)


def _gluten_from_wheat(text: str, flags: Flags) -> None:
    if Allergen.WHEAT in flags.allergens and not GLUTEN_FREE_CLAIM.search(text):
        flags.flag(Allergen.GLUTEN, "contains or may contain wheat")


def merge_all(parts: Iterable[Flags]) -> Flags:
    total = Flags()
    for part in parts:
        total.merge(part)
    return total
