import emoji
print(emoji.emojize("Python is :thumbs_up: and :red_heart:"), emoji.demojize("I ❤️ 🐍"))
print(emoji.emoji_count("a 😀 b 🎉"), emoji.is_emoji("🚀"))
print(emoji.emojize(":thumbs_up:", language="alias"), emoji.demojize("👍", language="es"))
