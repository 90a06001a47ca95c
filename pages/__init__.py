"""Thin Streamlit pages of Forecast Lab (run through st.navigation in app.py)."""
