"""Widget forms, the job panel and cached loaders shared by the pages."""

from pages.components.runtime import _navigation_only

# Whatever script imports this first, st.navigation in app.py is the only router (see runtime).
_navigation_only()
