// Marks the page as scripted before it is drawn, so parts meant for readers without
// scripts (the static lists under each paragraph) can step aside for the interactive ones.
document.documentElement.classList.add("js");
