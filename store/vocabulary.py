"""Fixed vocabularies shared by every layer (profile fields, food flags, exercise filters)."""

from enum import StrEnum


class Role(StrEnum):
    USER = "user"
    COACH = "coach"
    ADMIN = "admin"


class Sex(StrEnum):
    """Biological sex as used by the energy formulas (Mifflin-St Jeor has a term for each)."""

    FEMALE = "female"
    MALE = "male"


class ActivityLevel(StrEnum):
    SEDENTARY = "sedentary"
    LIGHT = "light"
    MODERATE = "moderate"
    VERY_ACTIVE = "very_active"
    EXTRA_ACTIVE = "extra_active"


class Goal(StrEnum):
    LOSE = "lose"
    MAINTAIN = "maintain"
    GAIN = "gain"


class Experience(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class Equipment(StrEnum):
    BODYWEIGHT = "bodyweight"
    DUMBBELL = "dumbbell"
    BARBELL = "barbell"
    EZ_BAR = "ez_bar"
    KETTLEBELL = "kettlebell"
    CABLE = "cable"
    MACHINE = "machine"
    BANDS = "bands"
    BENCH = "bench"
    PULL_UP_BAR = "pull_up_bar"
    MEDICINE_BALL = "medicine_ball"
    EXERCISE_BALL = "exercise_ball"
    FOAM_ROLLER = "foam_roller"
    CARDIO_MACHINE = "cardio_machine"


class Allergen(StrEnum):
    PEANUT = "peanut"
    TREE_NUT = "tree_nut"
    MILK = "milk"
    EGG = "egg"
    SOY = "soy"
    WHEAT = "wheat"
    GLUTEN = "gluten"
    FISH = "fish"
    SHELLFISH = "shellfish"
    SESAME = "sesame"


class Diet(StrEnum):
    OMNIVORE = "omnivore"
    VEGETARIAN = "vegetarian"
    VEGAN = "vegan"
    PESCATARIAN = "pescatarian"
    KETO = "keto"
    HALAL = "halal"
    KOSHER = "kosher"


class Units(StrEnum):
    METRIC = "metric"
    IMPERIAL = "imperial"


class PlanKind(StrEnum):
    MEAL = "meal"
    WORKOUT = "workout"
