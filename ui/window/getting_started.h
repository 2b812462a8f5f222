#pragma once

#include <QDialog>
#include <functional>
#include <vector>

class QLabel;
class QPushButton;

namespace loom::ui {

/// Help > Getting Started: a short tour, one step at a time, beside the window (not modal, so
/// that the user can follow each step on the canvas). A step may offer a button that does it.
class GettingStarted : public QDialog {
    Q_OBJECT

public:
    struct Step {
        QString title;
        QString text;    ///< rich text
        QString button;  ///< empty: no button
        std::function<void()> act;
    };

    GettingStarted(std::vector<Step> steps, QWidget* parent);

    int step() const { return m_step; }
    int steps() const { return static_cast<int>(m_steps.size()); }
    void showStep(int index);
    QPushButton* actButton() const { return m_act; }
    QPushButton* nextButton() const { return m_next; }
    QPushButton* backButton() const { return m_back; }

private:
    std::vector<Step> m_steps;
    int m_step = 0;
    QLabel* m_counter;
    QLabel* m_title;
    QLabel* m_text;
    QPushButton* m_act;
    QPushButton* m_back;
    QPushButton* m_next;
};

}  // namespace loom::ui
