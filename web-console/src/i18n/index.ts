/** i18next setup: Korean and English, default from the stored choice, else the browser language. */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en.js';
import { ko } from './ko.js';

const KEY = 'gwanje.lang';

export function initialLanguage(stored: string | null, browser: readonly string[]): 'ko' | 'en' {
  if (stored === 'ko' || stored === 'en') return stored;
  return browser.some((l) => l.toLowerCase().startsWith('ko')) ? 'ko' : 'en';
}

export function initI18n(): void {
  const lng = initialLanguage(localStorage.getItem(KEY), navigator.languages ?? [navigator.language]);
  document.documentElement.lang = lng;
  void i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, ko: { translation: ko } },
    lng,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    returnNull: false,
    showSupportNotice: false,
  });
}

export function setLanguage(lng: 'ko' | 'en'): void {
  localStorage.setItem(KEY, lng);
  document.documentElement.lang = lng;
  void i18next.changeLanguage(lng);
}
