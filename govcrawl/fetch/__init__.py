"""Fetching: Scrapy components that keep the crawl safe, hermetic and polite."""
