"""The measures app's models, one module per concept; this package only re-exports
them, so Django finds them and the rest of the code imports from measures.models.

- choices: phases, traffic light, categories, the progress range
- plans: districts, plans, goals, measures and their responsible partners
- review: the review lifecycle shared by status updates and indicator values
- imports: an admin import running as a background job
- status_updates, reminders, indicators, budgets, sources (and citations)
- uncertainty: the field every sourced fact has
"""

from measures.models.budgets import BudgetLine as BudgetLine
from measures.models.choices import NO_STATUS_LABEL as NO_STATUS_LABEL
from measures.models.choices import OPEN_PHASES as OPEN_PHASES
from measures.models.choices import Category as Category
from measures.models.choices import Health as Health
from measures.models.choices import Phase as Phase
from measures.models.imports import ImportJob as ImportJob
from measures.models.indicators import Indicator as Indicator
from measures.models.indicators import IndicatorValue as IndicatorValue
from measures.models.indicators import PeriodType as PeriodType
from measures.models.plans import District as District
from measures.models.plans import Goal as Goal
from measures.models.plans import Measure as Measure
from measures.models.plans import MeasurePartner as MeasurePartner
from measures.models.plans import Plan as Plan
from measures.models.plans import plan_hidden as plan_hidden
from measures.models.reminders import ReminderSent as ReminderSent
from measures.models.review import EDITABLE_STATES as EDITABLE_STATES
from measures.models.review import ReviewState as ReviewState
from measures.models.sources import CITING_MODELS as CITING_MODELS
from measures.models.sources import Citation as Citation
from measures.models.sources import Source as Source
from measures.models.status_updates import StatusUpdate as StatusUpdate
