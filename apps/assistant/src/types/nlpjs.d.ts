// nlp.js ships no type declarations; these are the few members the assistant uses.
declare module '@nlpjs/lang-fr' {
  export class TokenizerFr {
    tokenize(text: string, normalize?: boolean): string[];
  }
  export class StemmerFr {
    stemWord(word: string): string;
  }
  export class StopwordsFr {
    isStopword(word: string): boolean;
  }
}

declare module '@nlpjs/lang-en-min' {
  export class TokenizerEn {
    tokenize(text: string, normalize?: boolean): string[];
  }
  export class StemmerEn {
    stemWord(word: string): string;
  }
  export class StopwordsEn {
    isStopword(word: string): boolean;
  }
}
