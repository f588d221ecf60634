"""All ORM models; importing this module registers every table on `Base.metadata` (Alembic needs that)."""

from store.models.accounts import CoachAccess, RefreshToken, User
from store.models.base import Base
from store.models.events import Notification, OutboxEvent
from store.models.knowledge import (
    Exercise,
    Food,
    FoodNutrients,
    FoodPortion,
    KnowledgeMeta,
    Nutrient,
    Recipe,
    RecipeIngredient,
    RecipeNutrition,
    SearchTerm,
)
from store.models.live_sources import RecipeCacheEntry
from store.models.meal_plans import MealPlanDay, MealPlanItem, MealPlanMeal, PantryItem
from store.models.plans import Plan, PlanVersion
from store.models.profile import Profile, ProfileChange
from store.models.workouts import (
    ExerciseRating,
    PrescribedSet,
    WorkoutExercise,
    WorkoutSession,
    WorkoutSetLog,
    WorkoutVersionDetail,
)

__all__ = [
    "Base",
    "CoachAccess",
    "Exercise",
    "ExerciseRating",
    "Food",
    "FoodNutrients",
    "FoodPortion",
    "KnowledgeMeta",
    "MealPlanDay",
    "MealPlanItem",
    "MealPlanMeal",
    "Notification",
    "Nutrient",
    "OutboxEvent",
    "PantryItem",
    "Plan",
    "PlanVersion",
    "PrescribedSet",
    "Profile",
    "ProfileChange",
    "Recipe",
    "RecipeCacheEntry",
    "RecipeIngredient",
    "RecipeNutrition",
    "RefreshToken",
    "SearchTerm",
    "User",
    "WorkoutExercise",
    "WorkoutSession",
    "WorkoutSetLog",
    "WorkoutVersionDetail",
]
